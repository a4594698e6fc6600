let nextTag = 0;

/** Names one output of a multi-output ParDo (or one input of a CoGroupByKey). */
export class TupleTag<T = unknown> {
  declare readonly __type?: T;
  readonly id: string;
  constructor(id?: string) {
    this.id = id ?? `tag${nextTag++}`;
  }
  toString(): string {
    return `TupleTag(${this.id})`;
  }
}
