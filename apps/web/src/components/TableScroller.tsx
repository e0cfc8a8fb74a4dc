import type { ReactNode } from "react";
import { focusRing } from "../lib/styles";

/**
 * Wide tables scroll sideways inside this box on phones instead of widening the page.
 * It is focusable and labelled so keyboard users can scroll it too. `relative` makes it the
 * containing block of visually hidden (absolutely positioned) text in cells, which would
 * otherwise sit outside the clip and widen the whole page.
 */
export function TableScroller({ label, children }: { label: string; children: ReactNode }) {
  return (
    // eslint-disable-next-line jsx-a11y/no-noninteractive-tabindex
    <div role="region" aria-label={label} tabIndex={0} className={`relative overflow-x-auto rounded-md border border-gray-200 ${focusRing}`}>
      {children}
    </div>
  );
}
