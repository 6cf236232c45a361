// Type-level assertions for the type tests (checked by tests/types/check.mjs; never run).

/** True when A and B are the same type (not merely mutually assignable; `any` is only equal to `any`). */
export type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

/** True when T is `any`. */
export type IsAny<T> = 0 extends 1 & T ? true : false;

/** Compiles only when its argument is `true`: `assert<Equal<typeof x, string>>()`. */
export function assert<T extends true>(): T | void {}

/** A value of any type, for arguments whose content does not matter. */
export declare function value<T>(): T;
