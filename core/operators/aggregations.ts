/**
 * Built-in aggregations as reduce functions over one field of a record: an
 * index into a tuple/array or a property name of an object. As in Flink, sum,
 * min and max keep the other fields of the first record; minBy and maxBy keep
 * the whole record that holds the extreme value (the first one on ties).
 * @module
 */

import type { ReduceFunction } from "../api/functions.ts";

/** A field of a record: a tuple index or a property name. */
export type FieldRef = number | string;

type Rec = Record<string | number, unknown>;

function withField<T>(record: T, field: FieldRef, value: unknown): T {
  const copy = (Array.isArray(record) ? record.slice() : { ...record }) as Rec;
  copy[field] = value;
  return copy as T;
}

function num(record: unknown, field: FieldRef): number {
  const v = (record as Rec)[field];
  if (typeof v !== "number") {
    throw new TypeError(`aggregation field ${JSON.stringify(field)} is not a number: ${v}`);
  }
  return v;
}

/** Sums a numeric field. */
export function sumOf<T>(field: FieldRef): ReduceFunction<T> {
  return (a, b) => withField(a, field, num(a, field) + num(b, field));
}

/** Keeps the minimum (`dir` = -1) or maximum (`dir` = 1) of a field. */
export function extremeOf<T>(field: FieldRef, dir: 1 | -1): ReduceFunction<T> {
  return (a, b) => {
    const x = num(a, field), y = num(b, field);
    return (y - x) * dir > 0 ? withField(a, field, y) : a;
  };
}

/** Keeps the record with the minimum (`dir` = -1) or maximum (`dir` = 1) field. */
export function extremeBy<T>(field: FieldRef, dir: 1 | -1): ReduceFunction<T> {
  return (a, b) => ((num(b, field) - num(a, field)) * dir > 0 ? b : a);
}
