import { fileURLToPath } from "node:url";
import ts from "typescript";

/**
 * Unknown fields in a manifest, found against the Kubernetes types of `kubernetes-models`: the
 * schema validators accept any extra property (`livenesProbe`, `spec.replica`), while the API
 * server drops or rejects them. Read with the TypeScript compiler, so every nested object is
 * checked against its own type; maps (labels, data, annotations) and free-form fields are not.
 */
export class StrictFields {
  readonly #checker: ts.TypeChecker;
  readonly #kinds: ts.Type;

  constructor() {
    const file = fileURLToPath(new URL("./kubernetes-kinds.ts", import.meta.url));
    const program = ts.createProgram([file], { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, strict: true, noEmit: true, skipLibCheck: true });
    this.#checker = program.getTypeChecker();
    const source = program.getSourceFile(file);
    const kinds = source?.statements.find((s): s is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(s) && s.name.text === "Kinds");
    if (!kinds) throw new Error("kubernetes-kinds.ts has no Kinds interface");
    this.#kinds = this.#checker.getTypeAtLocation(kinds);
  }

  /** Paths of the fields the kind's type does not have; throws for a kind it does not know. */
  unknownFields(doc: { apiVersion: string; kind: string }): string[] {
    const key = `${doc.apiVersion} ${doc.kind}`;
    const kind = this.#checker.getPropertyOfType(this.#kinds, key);
    if (!kind) throw new Error(`no type for ${key}: add it to test/deploy/kubernetes-kinds.ts`);
    const found: string[] = [];
    this.#walk(doc, this.#checker.getTypeOfSymbol(kind), doc.kind, found);
    return found;
  }

  #walk(data: unknown, type: ts.Type, path: string, found: string[]): void {
    if (data === null || typeof data !== "object") return;
    const members = (type.isUnion() ? type.types : [type]).filter((t) => !(t.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Null)));
    if (members.some((t) => t.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown))) return;
    if (Array.isArray(data)) {
      const element = members.map((t) => this.#checker.getIndexTypeOfType(t, ts.IndexKind.Number)).find((t) => t !== undefined);
      if (element) data.forEach((item, i) => this.#walk(item, element, `${path}[${i}]`, found));
      return;
    }
    const objects = members.filter((t) => t.flags & ts.TypeFlags.Object || t.isIntersection());
    if (objects.length === 0) return;
    for (const [key, value] of Object.entries(data)) {
      const owner = objects.find((t) => this.#checker.getPropertyOfType(t, key) !== undefined);
      const property = owner ? this.#checker.getPropertyOfType(owner, key) : undefined;
      if (property) {
        this.#walk(value, this.#checker.getTypeOfSymbol(property), `${path}.${key}`, found);
        continue;
      }
      const map = objects.map((t) => this.#checker.getIndexTypeOfType(t, ts.IndexKind.String)).find((t) => t !== undefined);
      if (map) this.#walk(value, map, `${path}.${key}`, found);
      else found.push(`${path}.${key}`);
    }
  }
}
