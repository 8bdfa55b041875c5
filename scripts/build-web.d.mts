// Types of scripts/build-web.mjs for the TypeScript that imports it (test/support/browser.ts).

export declare const DIST: string;
/** True when web/dist is missing a file or older than web/src. */
export declare function isStale(): Promise<boolean>;
/** Bundles web/src into web/dist; with ifStale only when needed. True when it built. */
export declare function buildWeb(opts?: { ifStale?: boolean }): Promise<boolean>;
