/** The editor's prompts: the first line's, and a continuation line's. */
export const PROMPT = "› ";
export const CONTINUATION = "… ";
