/** The combiner library: CombineFns and the facades with Beam's names. */
export { naturalCompare, reverseNaturalCompare, isNaturalCompare, type Comparator } from "./compare.js";
export { SumFn, addNumeric, type Numeric, type SumOptions } from "./sum.js";
export { CountFn } from "./count.js";
export { MinFn, MaxFn, type MinMaxOptions, type MinMaxAccumulator } from "./min_max.js";
export { MeanFn, MeanAccumulatorCoder, type MeanAccumulator } from "./mean.js";
export { TopFn, type TopOptions, type TopAccumulator } from "./top.js";
export { SampleFn, SampleAnyFn, ReservoirCoder, type Reservoir, type SampleOptions } from "./sample.js";
export {
  ApproximateQuantilesFn,
  QuantileStateCoder,
  optimalBuffers,
  DEFAULT_MAX_NUM_ELEMENTS,
  type ApproximateQuantilesOptions,
  type QuantileState,
  type QuantileBuffer,
} from "./approximate_quantiles.js";
export {
  Sum,
  Min,
  Max,
  Mean,
  Top,
  Sample,
  SampleAny,
  FlattenIterables,
  FlattenIterableFn,
  ApproximateQuantiles,
  combineGlobally,
  combinePerKey,
} from "./facades.js";
export { Distinct, DistinctWithRepresentativeValues, NullCombineFn, AnyValueFn, keyWithNull } from "./distinct.js";
