// A compile-time equality of two types, used to hold a wire schema's output to the plain type it
// describes: `true satisfies Same<A, B>` fails tsc as soon as a field is in one and not the other.

/** Objects and arrays rebuilt member by member, so intersections and mapped types compare equal. */
type Plain<T> = T extends readonly (infer E)[]
  ? Plain<E>[]
  : T extends Date
    ? T
    : T extends object
      ? { [K in keyof T]: Plain<T[K]> }
      : T;

/** True when A and B are the same type, optional and required members told apart. */
export type Same<A, B> =
  (<T>() => T extends Plain<A> ? 1 : 2) extends <T>() => T extends Plain<B> ? 1 : 2 ? true : false;
