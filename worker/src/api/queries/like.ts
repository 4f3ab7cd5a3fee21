/** A substring pattern for ILIKE: the user's %, _ and \ match themselves (the value is still a bound parameter). */
export const containsPattern = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
