/**
 * The subset of SOQL the emulator understands, parsed into a small syntax tree:
 *
 *   SELECT Id, Name | FIELDS(ALL|STANDARD|CUSTOM) | COUNT()
 *   FROM Object
 *   [WHERE cond]         cond: field op value | field [NOT] IN (values) | field [NOT] LIKE 'a%'
 *                              | cond AND cond | cond OR cond | NOT cond | (cond)
 *                        op: = != <> < <= > >=; values: 'strings', numbers, true, false, null,
 *                              dates (2026-01-02) and datetimes (2026-01-02T03:04:05Z, +hh:mm, fractions)
 *   [ORDER BY field [ASC|DESC] [NULLS FIRST|LAST], ...]
 *   [LIMIT n] [OFFSET n]
 *
 * Keywords and field names are case-insensitive, as in Salesforce. Anything else is a SoqlSyntaxError,
 * which the API answers as MALFORMED_QUERY.
 */

export class SoqlSyntaxError extends Error {}

export type SelectItem =
  | { kind: "field"; name: string }
  | { kind: "fields"; which: "ALL" | "STANDARD" | "CUSTOM" }
  | { kind: "count" };

export type Literal =
  | { kind: "string"; value: string }
  | { kind: "number"; value: number }
  | { kind: "boolean"; value: boolean }
  | { kind: "null" }
  | { kind: "date"; value: string }
  | { kind: "datetime"; value: number };

export type ComparisonOperator = "=" | "!=" | "<" | "<=" | ">" | ">=";

export type Condition =
  | { kind: "and" | "or"; items: Condition[] }
  | { kind: "not"; item: Condition }
  | { kind: "compare"; field: string; op: ComparisonOperator; value: Literal }
  | { kind: "in"; field: string; negated: boolean; values: Literal[] }
  | { kind: "like"; field: string; negated: boolean; pattern: string };

export interface OrderItem {
  field: string;
  descending: boolean;
  nullsLast: boolean;
}

export interface SoqlQuery {
  select: SelectItem[];
  from: string;
  where?: Condition;
  orderBy: OrderItem[];
  limit?: number;
  offset?: number;
}

type Token =
  | { type: "word"; text: string }
  | { type: "string"; text: string }
  | { type: "number"; text: string }
  | { type: "date"; text: string }
  | { type: "datetime"; text: string }
  | { type: "symbol"; text: string };

const TOKEN =
  /\s*(?:(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?(?:Z|[+-]\d{2}:\d{2}))|(\d{4}-\d{2}-\d{2})(?![\dT])|(-?\d+(?:\.\d+)?)|([A-Za-z_][A-Za-z0-9_.]*)|'((?:[^'\\]|\\.)*)'|(<=|>=|!=|<>|[=<>(),]))/y;

function tokenize(soql: string): Token[] {
  const tokens: Token[] = [];
  TOKEN.lastIndex = 0;
  let at = 0;
  while (at < soql.length) {
    if (/^\s*$/.test(soql.slice(at))) break;
    TOKEN.lastIndex = at;
    const match = TOKEN.exec(soql);
    if (!match) throw new SoqlSyntaxError(`unexpected token: '${soql.slice(at).trim().split(/\s+/)[0]}'`);
    at = TOKEN.lastIndex;
    const [, datetime, date, number, word, string, symbol] = match;
    if (datetime !== undefined) tokens.push({ type: "datetime", text: datetime });
    else if (date !== undefined) tokens.push({ type: "date", text: date });
    else if (number !== undefined) tokens.push({ type: "number", text: number });
    else if (word !== undefined) tokens.push({ type: "word", text: word });
    else if (string !== undefined) tokens.push({ type: "string", text: string.replace(/\\(.)/g, "$1") });
    else tokens.push({ type: "symbol", text: symbol === "<>" ? "!=" : symbol! });
  }
  return tokens;
}

/** Keywords that cannot name a field or an object. */
const RESERVED = new Set([
  "SELECT",
  "FROM",
  "WHERE",
  "ORDER",
  "BY",
  "LIMIT",
  "OFFSET",
  "AND",
  "OR",
  "NOT",
  "IN",
  "LIKE",
  "ASC",
  "DESC",
  "NULLS",
]);

class Parser {
  private at = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(): Token | undefined {
    return this.tokens[this.at];
  }

  /** Whether the next token is keyword `word` (case-insensitive); consumes it if so. */
  private accept(word: string): boolean {
    const token = this.peek();
    if (token?.type === "word" && token.text.toUpperCase() === word) {
      this.at++;
      return true;
    }
    return false;
  }

  private acceptSymbol(symbol: string): boolean {
    const token = this.peek();
    if (token?.type === "symbol" && token.text === symbol) {
      this.at++;
      return true;
    }
    return false;
  }

  private unexpected(): never {
    const token = this.peek();
    throw new SoqlSyntaxError(token ? `unexpected token: '${token.text}'` : "unexpected end of query");
  }

  private expect(word: string): void {
    if (!this.accept(word)) this.unexpected();
  }

  private expectSymbol(symbol: string): void {
    if (!this.acceptSymbol(symbol)) this.unexpected();
  }

  private identifier(): string {
    const token = this.peek();
    if (token?.type !== "word" || RESERVED.has(token.text.toUpperCase())) this.unexpected();
    this.at++;
    return token.text;
  }

  private integer(): number {
    const token = this.peek();
    if (token?.type !== "number" || !/^\d+$/.test(token.text)) this.unexpected();
    this.at++;
    return Number(token.text);
  }

  query(): SoqlQuery {
    this.expect("SELECT");
    const select = [this.selectItem()];
    while (this.acceptSymbol(",")) select.push(this.selectItem());
    this.expect("FROM");
    const from = this.identifier();
    const query: SoqlQuery = { select, from, orderBy: [] };
    if (this.accept("WHERE")) query.where = this.or();
    if (this.accept("ORDER")) {
      this.expect("BY");
      do query.orderBy.push(this.orderItem());
      while (this.acceptSymbol(","));
    }
    if (this.accept("LIMIT")) query.limit = this.integer();
    if (this.accept("OFFSET")) query.offset = this.integer();
    if (this.peek()) this.unexpected();
    return query;
  }

  private selectItem(): SelectItem {
    const name = this.identifier();
    const upper = name.toUpperCase();
    if ((upper === "FIELDS" || upper === "COUNT") && this.acceptSymbol("(")) {
      if (upper === "COUNT") {
        this.expectSymbol(")");
        return { kind: "count" };
      }
      const which = this.identifier().toUpperCase();
      if (which !== "ALL" && which !== "STANDARD" && which !== "CUSTOM") {
        throw new SoqlSyntaxError(`FIELDS() takes ALL, STANDARD or CUSTOM, not '${which}'`);
      }
      this.expectSymbol(")");
      return { kind: "fields", which };
    }
    return { kind: "field", name };
  }

  private orderItem(): OrderItem {
    const field = this.identifier();
    const descending = this.accept("DESC");
    if (!descending) this.accept("ASC");
    let nullsLast = descending;
    if (this.accept("NULLS")) {
      if (this.accept("LAST")) nullsLast = true;
      else if (this.accept("FIRST")) nullsLast = false;
      else this.unexpected();
    }
    return { field, descending, nullsLast };
  }

  private or(): Condition {
    const items = [this.and()];
    while (this.accept("OR")) items.push(this.and());
    return items.length === 1 ? items[0]! : { kind: "or", items };
  }

  private and(): Condition {
    const items = [this.not()];
    while (this.accept("AND")) items.push(this.not());
    return items.length === 1 ? items[0]! : { kind: "and", items };
  }

  private not(): Condition {
    if (this.accept("NOT")) return { kind: "not", item: this.not() };
    if (this.acceptSymbol("(")) {
      const inner = this.or();
      this.expectSymbol(")");
      return inner;
    }
    return this.predicate();
  }

  private predicate(): Condition {
    const field = this.identifier();
    const negated = this.accept("NOT");
    if (this.accept("IN")) {
      this.expectSymbol("(");
      const values = [this.literal()];
      while (this.acceptSymbol(",")) values.push(this.literal());
      this.expectSymbol(")");
      return { kind: "in", field, negated, values };
    }
    if (this.accept("LIKE")) {
      const pattern = this.literal();
      if (pattern.kind !== "string") throw new SoqlSyntaxError("LIKE takes a quoted string");
      return { kind: "like", field, negated, pattern: pattern.value };
    }
    if (negated) this.unexpected();
    const token = this.peek();
    if (token?.type !== "symbol" || !["=", "!=", "<", "<=", ">", ">="].includes(token.text))
      this.unexpected();
    this.at++;
    return { kind: "compare", field, op: token.text as ComparisonOperator, value: this.literal() };
  }

  private literal(): Literal {
    const token = this.peek();
    if (!token) this.unexpected();
    this.at++;
    switch (token.type) {
      case "string":
        return { kind: "string", value: token.text };
      case "number":
        return { kind: "number", value: Number(token.text) };
      case "date":
        return { kind: "date", value: token.text };
      case "datetime":
        return { kind: "datetime", value: Date.parse(token.text) };
      case "word": {
        const upper = token.text.toUpperCase();
        if (upper === "TRUE" || upper === "FALSE") return { kind: "boolean", value: upper === "TRUE" };
        if (upper === "NULL") return { kind: "null" };
        break;
      }
    }
    this.at--;
    return this.unexpected();
  }
}

/** The syntax tree of a query; throws SoqlSyntaxError for anything outside the subset. */
export function parseSoql(soql: string): SoqlQuery {
  return new Parser(tokenize(soql)).query();
}
