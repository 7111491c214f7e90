/** The IoU tracker; its pure core lives in geometry/ (shared with the web build). */
export { iou, type Rect } from "./geometry/box.ts";
export { IouTracker } from "./geometry/tracker.ts";
