/**
 * The web dashboard the master serves at `/`: one HTML page, its script and
 * style, and the two libraries it draws with (dagre lays out the job graph,
 * uPlot charts the checkpoints). Every asset is imported as text, so it is
 * part of the program (and of a compiled binary): no CDN, no build step, no
 * file read at run time. The page itself talks to the REST API only.
 *
 * @example
 * ```ts
 * import { dashboardAsset } from "./dashboard.ts";
 * const page = dashboardAsset("/");
 * page?.type; // "text/html; charset=utf-8"
 * ```
 * @module
 */

import indexHtml from "./static/index.html" with { type: "text" };
import appJs from "./static/app.js" with { type: "text" };
import appCss from "./static/app.css" with { type: "text" };
import dagreJs from "@dagrejs/dagre/dist/dagre.min.js" with { type: "text" };
import uplotJs from "uplot/dist/uPlot.iife.min.js" with { type: "text" };
import uplotCss from "uplot/dist/uPlot.min.css" with { type: "text" };

/** Where the dashboard's assets are served (the page is served at `/`). */
export const DASHBOARD_PREFIX = "/dashboard";

/** One asset: its body and content type. */
export interface DashboardAsset {
  readonly body: string;
  readonly type: string;
}

const JS = "text/javascript; charset=utf-8";
const CSS = "text/css; charset=utf-8";
const HTML = "text/html; charset=utf-8";

const ASSETS: ReadonlyMap<string, DashboardAsset> = new Map([
  ["/", { body: indexHtml, type: HTML }],
  [`${DASHBOARD_PREFIX}/`, { body: indexHtml, type: HTML }],
  [`${DASHBOARD_PREFIX}/app.js`, { body: appJs, type: JS }],
  [`${DASHBOARD_PREFIX}/app.css`, { body: appCss, type: CSS }],
  [`${DASHBOARD_PREFIX}/vendor/dagre.min.js`, { body: dagreJs, type: JS }],
  [`${DASHBOARD_PREFIX}/vendor/uPlot.iife.min.js`, { body: uplotJs, type: JS }],
  [`${DASHBOARD_PREFIX}/vendor/uPlot.min.css`, { body: uplotCss, type: CSS }],
]);

/** The asset at `path`, or undefined. */
export function dashboardAsset(path: string): DashboardAsset | undefined {
  return ASSETS.get(path);
}

/** Every path the dashboard serves. */
export function dashboardPaths(): string[] {
  return [...ASSETS.keys()];
}

/** The response for a GET of `path`: the asset (cached for a minute), or undefined. */
export function serveDashboard(path: string): Response | undefined {
  const asset = ASSETS.get(path);
  if (asset === undefined) return undefined;
  return new Response(asset.body, {
    headers: {
      "content-type": asset.type,
      "cache-control": "max-age=60",
      // The page loads only what the master serves, and talks only to it.
      "content-security-policy":
        "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:",
      "x-content-type-options": "nosniff",
    },
  });
}
