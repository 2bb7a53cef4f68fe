/** Prints the model reference: `npx tsx src/unified/print-reference.ts > docs/unified-models.md`. */
import { renderModelReference } from "./reference.ts";

process.stdout.write(renderModelReference());
