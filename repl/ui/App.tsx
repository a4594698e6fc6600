/**
 * The Ink screen: finished entries in <Static> (printed once, into the terminal's
 * scrollback, never redrawn) and the live area below them (live_area.ts), redrawn as the
 * controller's state changes.
 */
import React, { useEffect, useRef, useSyncExternalStore } from "react";
import { Box, Static, Text, useStdout } from "ink";
import type { ReplController, ScrollItem } from "../controller.js";
import type { Painter } from "../render/ansi.js";
import { liveArea } from "./live_area.js";

export interface AppProps {
  controller: ReplController;
  paint: Painter;
  size(): { columns: number; rows: number };
  /** Hears the live area's rows as drawn (for resizes). */
  onDraw?(rows: string[]): void;
}

export function App({ controller, paint, size, onDraw }: AppProps): React.ReactElement {
  const state = useSyncExternalStore(
    (l) => controller.subscribe(l),
    () => controller.state,
  );
  const { write } = useStdout();
  // Inline images, and text too long for Ink's layout: written as they are once their
  // entry is in the scrollback (Ink would measure and wrap an escape's payload as text).
  const written = useRef(0);
  useEffect(() => {
    const items = state.scrollback;
    for (let i = written.current; i < items.length; i++) if (items[i]!.raw) write(items[i]!.raw! + "\n");
    written.current = items.length;
  }, [state.scrollback, write]);
  const lines = liveArea(state, size(), paint);
  useEffect(() => onDraw?.(lines));
  return (
    <>
      <Static items={state.scrollback as ScrollItem[]}>{(item) => (item.text ? <Text key={item.id}>{item.text}</Text> : <Box key={item.id} />)}</Static>
      <Text>{lines.join("\n")}</Text>
    </>
  );
}
