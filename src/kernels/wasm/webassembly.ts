// @types/node 20 does not declare the WebAssembly JS API (it lives in TypeScript's DOM lib,
// which would bring the whole browser environment with it). The part evoquant uses:
declare global {
  namespace WebAssembly {
    class Module {
      constructor(bytes: ArrayBufferView | ArrayBuffer);
      static imports(m: Module): { module: string; name: string; kind: string }[];
      static exports(m: Module): { name: string; kind: string }[];
    }
    class Instance {
      constructor(module: Module, imports?: Record<string, Record<string, unknown>>);
      readonly exports: Record<string, unknown>;
    }
    class Memory {
      constructor(descriptor: { initial: number; maximum?: number; shared?: boolean });
      readonly buffer: ArrayBuffer;
      grow(pages: number): number;
    }
  }
}
export {};
