// Files and folders dropped on the window. Tauri reports them to the webview with
// their full paths (HTML drag and drop only sees names), so imports take the paths as
// they are.

import type { UnlistenFn } from "@tauri-apps/api/event";
import { getCurrentWebview, type DragDropEvent } from "@tauri-apps/api/webview";

export interface DropHandlers {
  /** Something is being dragged over the window (true) or left it (false). */
  hover(on: boolean): void;
  drop(paths: string[]): void;
}

export function handleDragDrop(event: DragDropEvent, handlers: DropHandlers): void {
  switch (event.type) {
    case "enter":
    case "over":
      handlers.hover(true);
      return;
    case "leave":
      handlers.hover(false);
      return;
    case "drop":
      handlers.hover(false);
      if (event.paths.length > 0) handlers.drop(event.paths);
      return;
  }
}

export function followDragDrop(handlers: DropHandlers): Promise<UnlistenFn> {
  return getCurrentWebview().onDragDropEvent((e) => handleDragDrop(e.payload, handlers));
}
