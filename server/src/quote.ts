/** Longest piece of client input quoted back in an error message. */
const QUOTE_LIMIT = 64;

/** Client input as it may appear in a message: short, never kilobytes of it. */
export function quoteInput(text: string): string {
  return text.length <= QUOTE_LIMIT ? text : `${text.slice(0, QUOTE_LIMIT)}… (${text.length} characters)`;
}
