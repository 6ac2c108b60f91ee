import { textSimilarity } from './similarity';

export interface DepartmentName {
  id: string;
  name: string;
  aliases: string[];
}

/**
 * Finds the department a person means: its code, full name or an alias, else the one
 * department whose name contains what was typed ("住建" → 县住房和城乡建设局 only if unique).
 */
export function matchDepartment<D extends DepartmentName>(departments: readonly D[], query: string): D | null {
  const q = query.trim().toLowerCase();
  if (!q) return null;
  const exact = departments.find((d) => d.id === q || d.name.toLowerCase() === q || d.aliases.some((a) => a.toLowerCase() === q));
  if (exact) return exact;
  const partial = departments.filter((d) => d.name.includes(q) || d.aliases.some((a) => a.includes(q) || q.includes(a)));
  return partial.length === 1 ? partial[0]! : null;
}

/** The departments most like what was typed, for a "did you mean" answer. */
export function suggestDepartments<D extends DepartmentName>(departments: readonly D[], query: string, limit = 3): D[] {
  return departments
    .map((d) => ({ d, score: Math.max(...[d.name, ...d.aliases].map((n) => textSimilarity(n, query))) }))
    .filter((x) => x.score > 0.2)
    .sort((a, b) => b.score - a.score)
    .slice(0, limit)
    .map((x) => x.d);
}
