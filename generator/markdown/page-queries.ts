/**
 * A page's named queries, located: collected from its ```sql name blocks before the
 * directives are expanded (a use may come before its definition), resolved for each
 * use, and checked at the end (a definition nothing uses is an error, as an unknown
 * name is). Every message names where the use and the definition are.
 */
import type { Code, Html, Nodes, Root } from 'mdast';
import { DirectiveError, DirectiveProblem, reasonOf } from '../directives/errors.ts';
import { bindQuery, isNamedQueryBlock, isNamedQueryUse, parseDefinition, parseUse, type QueryDefinition } from '../directives/named-queries.ts';

interface ParentNode {
  type: string;
  children: Nodes[];
}

interface Located {
  name: string;
  at: string;
  line: number;
  column: number;
  node: Code;
  parent: ParentNode;
  /** Undefined when the block is malformed (already reported). */
  definition?: QueryDefinition;
  used: boolean;
}

/** Reports an error at a node: throws, or (keep going) returns the error box that replaces it. */
export type Fail = (error: DirectiveError, node: Nodes) => Html;

/** Errors at a definition are reported under this name: `file:line:col @query: …`. */
const DEFINITION = 'query';

export class PageQueries {
  private readonly byName = new Map<string, Located>();
  private readonly blocks: Located[] = [];
  /** Replacements for blocks that failed (keep going): the error box stands where the block stood. */
  private readonly boxes = new Map<Code, Html>();

  constructor(private readonly file: string) {}

  /** Every ```sql name block of the page; a malformed one or a second of the same name is reported at the block. */
  collect(tree: Root, fail: Fail): void {
    const visit = (parent: ParentNode): void => {
      for (const node of parent.children) {
        if (node.type === 'code' && isNamedQueryBlock(node)) this.add(node, parent, fail);
        else if ('children' in node) visit(node as ParentNode);
      }
    };
    visit(tree as ParentNode);
  }

  private add(node: Code, parent: ParentNode, fail: Fail): void {
    const start = node.position?.start ?? { line: 1, column: 1 };
    const header = (node.meta ?? '').trim();
    const located: Located = { name: /^\w+/.exec(header)?.[0] ?? header, at: `${this.file}:${start.line}:${start.column}`, line: start.line, column: start.column, node, parent, used: false };
    this.blocks.push(located);
    try {
      located.definition = parseDefinition(header, node.value);
      const first = this.byName.get(located.name);
      if (first) {
        located.definition = undefined;
        throw new DirectiveProblem(`query "${located.name}" is defined twice: here and at ${first.at} (one name, one query on a page: rename one)`);
      }
      this.byName.set(located.name, located);
    } catch (error) {
      this.boxes.set(node, fail(new DirectiveError(this.file, located.line, located.column, DEFINITION, reasonOf(error)), node));
    }
  }

  /**
   * The SQL a `query` value stands for: the value itself when it is SQL, else the named
   * query with its arguments. `origin` says where a named query was defined, for errors.
   */
  resolve(value: string): { sql: string; origin?: string } {
    if (!isNamedQueryUse(value)) return { sql: value };
    const use = parseUse(value);
    const located = this.byName.get(use.name);
    if (!located?.definition) {
      const broken = this.blocks.find((block) => block.name === use.name);
      if (broken) throw new DirectiveProblem(`query "${use.name}" (defined at ${broken.at}) could not be read: see the error there`);
      const known = [...this.byName.values()].map((q) => `${q.name} (${q.at})`);
      throw new DirectiveProblem(
        `unknown query "${use.name}": ${known.length > 0 ? `this page defines ${known.join(', ')}` : 'this page defines no query'}` +
          ` (define it in a fenced block: \`\`\`sql ${use.name})`,
      );
    }
    located.used = true;
    try {
      return { sql: bindQuery(located.definition, use), origin: `query "${use.name}" defined at ${located.at}` };
    } catch (error) {
      throw new DirectiveProblem(`${reasonOf(error)} (defined at ${located.at})`);
    }
  }

  /** After the directives: unused definitions are reported; every block leaves the page (or becomes its error box). */
  finish(fail: Fail): void {
    for (const block of this.blocks) {
      if (block.definition && !block.used) {
        const reason = `query "${block.name}" is defined but no @metric, @chart, @table or @assert on this page uses it (use it: query="${block.name}", or delete it)`;
        this.boxes.set(block.node, fail(new DirectiveError(this.file, block.line, block.column, DEFINITION, reason), block.node));
      }
    }
    for (const block of this.blocks) {
      const index = block.parent.children.indexOf(block.node);
      if (index === -1) continue;
      const box = this.boxes.get(block.node);
      if (box) block.parent.children[index] = box;
      else block.parent.children.splice(index, 1);
    }
  }
}
