import type { Db } from '../db/database';
import { randomToken, sha256Hex as hash } from '../auth/tokens';

/** Creates a token for a staff member; the plain token is returned once and never stored. */
export async function createApiToken(db: Db, staffId: string, name: string, now: Date): Promise<string> {
  const token = randomToken('gz_');
  await db.insertInto('api_tokens').values({ token_hash: await hash(token), staff_id: staffId, name, created_at: now }).execute();
  return token;
}

export async function staffForToken(db: Db, token: string): Promise<string | null> {
  const row = await db.selectFrom('api_tokens').select('staff_id').where('token_hash', '=', await hash(token)).where('revoked_at', 'is', null).executeTakeFirst();
  return row?.staff_id ?? null;
}
