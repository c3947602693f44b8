import * as fc from "fast-check"

/**
 * An arbitrary built on first use. Deriving arbitraries from schemas takes
 * a while; built eagerly, every test file that imports the kit would pay
 * for all of them.
 */
class LazyArbitrary<T> extends fc.Arbitrary<T> {
  private built: fc.Arbitrary<T> | undefined
  constructor(private readonly build: () => fc.Arbitrary<T>) {
    super()
  }
  private get arbitrary(): fc.Arbitrary<T> {
    if (this.built === undefined) this.built = this.build()
    return this.built
  }
  generate(mrng: fc.Random, biasFactor: number | undefined): fc.Value<T> {
    return this.arbitrary.generate(mrng, biasFactor)
  }
  canShrinkWithoutContext(value: unknown): value is T {
    return this.arbitrary.canShrinkWithoutContext(value)
  }
  shrink(value: T, context: unknown): fc.Stream<fc.Value<T>> {
    return this.arbitrary.shrink(value, context)
  }
}

export const lazy = <T>(build: () => fc.Arbitrary<T>): fc.Arbitrary<T> => new LazyArbitrary(build)
