/** gitops:new-slice: a slice instance written from the catalogue's model, every value checked. */
export {
  readSliceModel,
  scaffoldSlice,
  checkSliceValues,
  sliceId,
  ScaffoldError,
  type SliceModel,
} from "./newSlice";
export { parseNewSliceArgs, recordedCommand } from "./newSliceArgs";
