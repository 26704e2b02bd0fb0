import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { preloadModules, WORKFLOWS_PATH } from '../../src/worker/workflow-code';

const ROOT = path.join(__dirname, '..', '..');

/**
 * What at the top level of a module would be state shared by every workflow of a worker: the
 * worker loads the workflow code once for all of them (`preloadModules`), so a `let`, or a
 * collection a module fills as it runs, would leak from one customer's workflow into another's.
 * (What a module exports the SDK freezes; luxon's own caches are keyed by locale and zone.)
 */
function sharedState(file: string): string[] {
  const source = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  for (const statement of source.statements) {
    if (!ts.isVariableStatement(statement)) continue;
    const list = statement.declarationList;
    const line = (node: ts.Node) =>
      `${path.relative(ROOT, file)}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;
    if (!(list.flags & ts.NodeFlags.Const)) {
      found.push(`${line(statement)} declares a top-level let or var`);
      continue;
    }
    for (const d of list.declarations) {
      const init = d.initializer;
      if (init && ts.isNewExpression(init) && /^(Map|Set|WeakMap|WeakSet|Array)$/.test(init.expression.getText())) {
        found.push(`${line(d)} keeps a top-level ${init.expression.getText()}`);
      }
    }
  }
  return found;
}

describe('the workflow code shared by all workflows of a worker', () => {
  it('keeps no state of its own at module level', async () => {
    const { code } = await bundleWorkflowCode({
      workflowsPath: WORKFLOWS_PATH,
      preloadModules: preloadModules(),
      logger: new DefaultLogger('ERROR'),
    });
    const ours = [...code.matchAll(/^\/\*\*\*\/ "\.\/(src\/[^"]+\.ts)"/gm)].map((m) => path.join(ROOT, m[1]));
    expect(ours).toContain(path.join(ROOT, 'src/workflows/customer.ts')); // the list is the bundle's
    expect(ours.flatMap(sharedState)).toEqual([]);
  });
});
