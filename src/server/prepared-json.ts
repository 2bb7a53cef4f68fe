/**
 * A reply body a handler hands over already serialised. The server sends the text as is, without the reply
 * check against the route's response schema: a handler returns one only when every value in it was checked
 * against that schema before (the unified lists serve objects checked against their model when the
 * projection stored them), so checking again on every request would only repeat the work.
 */
export class PreparedJson {
  constructor(readonly text: string) {}
}
