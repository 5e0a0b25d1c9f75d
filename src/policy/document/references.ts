import type { ExpressionReference, NamedValueReference, PolicyElement, SourcePosition } from './tree.ts';

/**
 * Azure's named value names: letters, digits, '.', '-' and '_'. Anything else between double
 * braces (a Liquid tag, JSON in an interpolated string) is not a placeholder.
 */
export const namedValuePattern = /\{\{([A-Za-z0-9._-]+)\}\}/g;

/** The names of the `{{name}}` placeholders in a string, in order. */
export function findNamedValues(text: string): { name: string; index: number }[] {
  const found: { name: string; index: number }[] = [];
  for (const m of text.matchAll(namedValuePattern)) found.push({ name: m[1], index: m.index });
  return found;
}

/** The position `index` characters into a value that starts at `start` (exact when no entity precedes it). */
export function advancePosition(start: SourcePosition, text: string, index: number): SourcePosition {
  let { line, column } = start;
  for (let i = 0; i < index; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      column = 1;
    } else column++;
  }
  return { line, column, offset: start.offset + index };
}

function isLiquidBody(element: PolicyElement): boolean {
  return element.name === 'set-body' && element.attributes.some((a) => a.name === 'template' && a.value.trim().toLowerCase() === 'liquid');
}

/** Lists the expressions and named value placeholders of a tree, in document order. */
export function collectReferences(root: PolicyElement): {
  namedValues: NamedValueReference[];
  expressions: ExpressionReference[];
} {
  const namedValues: NamedValueReference[] = [];
  const expressions: ExpressionReference[] = [];
  const visit = (element: PolicyElement, path: string, inLiquid: boolean): void => {
    for (const attribute of element.attributes) {
      const inExpression = attribute.expression !== undefined;
      if (inExpression) {
        expressions.push({
          source: attribute.value,
          kind: attribute.expression!,
          position: attribute.valuePosition,
          element: element.name,
          attribute: attribute.name,
          path,
        });
      }
      for (const { name, index } of findNamedValues(attribute.value)) {
        namedValues.push({ name, position: advancePosition(attribute.valuePosition, attribute.value, index), inExpression });
      }
    }
    const liquid = inLiquid || isLiquidBody(element);
    for (const child of element.children) {
      if (child.type === 'element') {
        visit(child, `${path}/${child.name}`, liquid);
        continue;
      }
      if (child.expression) {
        expressions.push({ source: child.value, kind: child.expression, position: child.position, element: element.name, path });
      }
      if (liquid && !child.expression) continue;
      for (const { name, index } of findNamedValues(child.value)) {
        namedValues.push({ name, position: advancePosition(child.position, child.value, index), inExpression: child.expression !== undefined });
      }
    }
  };
  visit(root, root.name, false);
  return { namedValues, expressions };
}
