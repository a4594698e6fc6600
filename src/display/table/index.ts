/** Tables of elements: the model, how it is built from elements, and how it is shown. */
export { tableOf, type TableOptions } from "./table_of.js";
export { rowsOf, type RowOptions } from "./rows_of.js";
export { renderTable, DEFAULT_TEXT_WIDTH } from "./render_table.js";
export { renderTableText } from "./text_table.js";
export { tableFromDataResource } from "./table_from_resource.js";
export { tableTitle, type Table, type TableCell, type TableColumn, type ColumnType } from "./table_model.js";
export { compactValue, toJsonValue, isRecord } from "./compact.js";
export { formatInstant, formatWindow, formatPane } from "./element_meta.js";
