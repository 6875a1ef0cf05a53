/// <reference types="vite/client" />
// Every function module of this folder for convex-test; tests and this file are not modules.
export const modules = import.meta.glob(['./**/*.ts', '!./**/*.test.ts', '!./test.setup.ts']);
