/** Each page gets the main element and a signal that it was left (to drop late answers). */
export interface PageContext {
  readonly main: HTMLElement;
  readonly isCurrent: () => boolean;
}
