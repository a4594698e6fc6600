/** A table as the bundle both front ends show: text fitted to the width, HTML, and a data resource. */
import { Mime, type DisplayContext, type MimeBundle } from "../mime.js";
import { toDataResource } from "./data_resource.js";
import { renderTableHtml } from "./html_table.js";
import type { Table } from "./table_model.js";
import { renderTableText } from "./text_table.js";

/** Columns of text/plain when the context does not say (a notebook's). */
export const DEFAULT_TEXT_WIDTH = 100;

export function renderTable(table: Table, ctx: DisplayContext = {}): MimeBundle {
  return {
    [Mime.text]: renderTableText(table, ctx.width ?? DEFAULT_TEXT_WIDTH),
    [Mime.html]: renderTableHtml(table),
    [Mime.dataResource]: toDataResource(table),
  };
}
