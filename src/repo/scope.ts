import { sql, type RawBuilder } from 'kysely';
import type { TicketScope } from '../domain/regions';

const list = (values: readonly string[]) => sql.join(values.map((v) => sql`${v}`));

/**
 * The SQL form of scopeAllows (src/domain/regions.ts) for ticket lists, dashboards and exports:
 * the same tickets the row check admits, `read` mode (a city department's followed counterparts
 * included). `alias` is the tickets table's alias in the query, if any.
 */
export function scopeCondition(scope: TicketScope, alias?: string): RawBuilder<boolean> {
  const col = (c: string) => sql.ref(alias ? `${alias}.${c}` : c);
  switch (scope.kind) {
    case 'all':
      return sql<boolean>`true`;
    case 'none':
      return sql<boolean>`false`;
    case 'regions': {
      const parts = [sql`${col('region_id')} in (${list(scope.regionIds)})`];
      if (scope.departmentIds.length) {
        parts.push(sql`${col('department_id')} in (${list(scope.departmentIds)})`);
        parts.push(sql`${col('co_department_ids')} ?| array[${list(scope.departmentIds)}]::text[]`);
      }
      return sql<boolean>`(${sql.join(parts, sql` or `)})`;
    }
    case 'department': {
      const parts = [sql`${col('department_id')} = ${scope.departmentId}`, sql`${col('co_department_ids')} @> ${JSON.stringify([scope.departmentId])}::jsonb`];
      if (scope.watchedIds.length) parts.push(sql`${col('department_id')} in (${list(scope.watchedIds)})`);
      return sql<boolean>`(${sql.join(parts, sql` or `)})`;
    }
  }
}
