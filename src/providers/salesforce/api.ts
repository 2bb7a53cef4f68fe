/** Where Salesforce's REST API lives on an org's instance, and which version the connector speaks. */

/** Winter '25. Every path below is under the connection's instance URL. */
export const API_VERSION = "62.0";
export const DATA_PATH = `/services/data/v${API_VERSION}`;

export const describePath = (object: string) => `${DATA_PATH}/sobjects/${object}/describe`;
export const sobjectPath = (object: string, id?: string) =>
  `${DATA_PATH}/sobjects/${object}${id === undefined ? "" : `/${encodeURIComponent(id)}`}`;

/** OpenID Connect UserInfo on the instance: the session's user and org (`organization_id`). */
export const USERINFO_PATH = "/services/oauth2/userinfo";
