#!/usr/bin/env node
// Entry point for `omnivox` / `npx omnivox`: loads the TypeScript sources through tsx.
import { register } from "tsx/esm/api";

register();
await import("../src/cli/main.ts");
