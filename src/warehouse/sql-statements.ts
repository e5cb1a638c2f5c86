/**
 * Splits a SQL file into statements, so a failing migration can name the statement (and its line)
 * that failed. Understands quotes, dollar quotes and both comment styles; that is all our
 * plain-SQL migrations need.
 */
export interface SqlStatement {
  text: string;
  /** 1-based line where the statement starts in the file */
  line: number;
}

export function splitSqlStatements(sql: string): SqlStatement[] {
  const statements: SqlStatement[] = [];
  let start = 0;
  let i = 0;
  const push = (end: number) => {
    const raw = sql.slice(start, end);
    const offset = raw.search(/\S/);
    const text = stripComments(raw).trim();
    if (text) statements.push({ text: raw.trim(), line: lineAt(sql, start + Math.max(offset, 0)) });
  };
  while (i < sql.length) {
    const ch = sql[i];
    const next = sql[i + 1];
    if (ch === '-' && next === '-') {
      i = indexOrEnd(sql, '\n', i);
    } else if (ch === '/' && next === '*') {
      i = indexOrEnd(sql, '*/', i + 2) + 2;
    } else if (ch === "'" || ch === '"') {
      i = closingQuote(sql, i, ch);
    } else if (ch === '$') {
      const tag = /^\$[A-Za-z_]*\$/.exec(sql.slice(i))?.[0];
      i = tag ? indexOrEnd(sql, tag, i + tag.length) + tag.length : i + 1;
    } else if (ch === ';') {
      push(i + 1);
      start = i + 1;
      i += 1;
    } else {
      i += 1;
    }
  }
  push(sql.length);
  return statements;
}

function indexOrEnd(text: string, needle: string, from: number): number {
  const at = text.indexOf(needle, from);
  return at === -1 ? text.length : at;
}

function closingQuote(text: string, open: number, quote: string): number {
  let i = open + 1;
  while (i < text.length) {
    if (text[i] === quote) {
      if (text[i + 1] === quote) i += 2; // doubled quote is an escaped quote
      else return i + 1;
    } else i += 1;
  }
  return text.length;
}

function stripComments(text: string): string {
  return text.replace(/--[^\n]*/g, '').replace(/\/\*[\s\S]*?\*\//g, '');
}

function lineAt(text: string, index: number): number {
  let line = 1;
  for (let i = 0; i < index; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}
