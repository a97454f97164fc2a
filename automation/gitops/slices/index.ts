/** gitops:new-slice: a slice instance written from the catalogue's model, every value checked. */
export { readSliceModel, sliceId, ScaffoldError, type SliceModel } from "./model";
export { scaffoldSlice } from "./newSlice";
export { checkSliceValues } from "./values";
export { parseNewSliceArgs, recordedCommand } from "./newSliceArgs";
