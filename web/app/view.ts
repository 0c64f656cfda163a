// The contract between the page shell (web/main.ts) and each view in web/views/: a view is
// mounted once into its tab panel and redraws from the store. Views talk to the host worker
// only for what the store does not hold (media reads, image files).

import type * as Comlink from "comlink";
import type { HostApi } from "../host.worker";
import type { Store } from "./store";
import type { ViewId } from "./url";

export interface ViewContext {
  store: Store;
  host: Comlink.Remote<HostApi>;
  /** Switch to another view (updates the URL). */
  navigate(view: ViewId): void;
  /** Called each time the view's panel becomes visible (draw lazily: hidden panels have no size). */
  onShow(f: () => void): void;
}

export type MountView = (panel: HTMLElement, ctx: ViewContext) => void;
