import { expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { ConfigError, parseConfig } from '../../src/config/parse';
import { createOrg, scopeAllows, ticketScope } from '../../src/domain/regions';
import { EXAMPLE } from '../helpers/runtime';

const CITY = new URL('../../config/example-city.yaml', import.meta.url).pathname;

async function cityOrg() {
  const cfg = parseConfig(await readFile(CITY, 'utf8'), CITY);
  return createOrg({ name: cfg.deployment.name, regions: cfg.regions, departments: cfg.departments });
}

it('a configuration without regions is one implicit region: every 营商办, admin and supervisor sees everything', async () => {
  const cfg = parseConfig(await readFile(EXAMPLE, 'utf8'), EXAMPLE);
  const org = createOrg({ name: cfg.deployment.name, regions: cfg.regions, departments: cfg.departments });
  expect(org.declared).toBe(false);
  expect(org.regions).toHaveLength(1);
  expect(ticketScope({ role: 'dispatcher', departmentId: 'yingshang' }, org)).toEqual({ kind: 'all' });
  expect(ticketScope({ role: 'supervisor', departmentId: null }, org)).toEqual({ kind: 'all' });
  // The older `parent` is the counterpart for 提级办; free-text group regions still mean the one region.
  expect(org.counterpartOf('yingshang')).toBe('city-yingshang');
  expect(org.groupRegion('青山县')).toBe(org.root.id);
  expect(org.ticketPrefix('GZ', null)).toBe('GZ');
});

it('scopes follow the tree: a county sees itself and below, the city everything, a city bureau its counterparts read-only', async () => {
  const org = await cityOrg();
  const county = ticketScope({ role: 'dispatcher', departmentId: 'qs-yingshang' }, org);
  expect(county).toMatchObject({ kind: 'regions', regionId: 'qingshan', regionIds: ['qingshan', 'qingshan-town'] });
  const zone = ticketScope({ role: 'supervisor', departmentId: null, regionId: 'kaifa' }, org);
  expect(ticketScope({ role: 'admin', departmentId: 'city-yingshang' }, org)).toEqual({ kind: 'all' });

  const town = { region_id: 'qingshan-town', department_id: 'qz-zhengfu', co_department_ids: [] };
  const hexi = { region_id: 'hexi', department_id: 'hx-power', co_department_ids: [] };
  const lifted = { region_id: 'qingshan', department_id: 'city-power', co_department_ids: [] };
  const oldRow = { region_id: null, department_id: 'qs-power', co_department_ids: [] };
  expect(scopeAllows(county, town)).toBe(true);
  expect(scopeAllows(county, hexi)).toBe(false);
  expect(scopeAllows(county, lifted)).toBe(true);
  // A row from before regions were configured: its department's region decides.
  expect(scopeAllows(county, oldRow)).toBe(true);
  expect(scopeAllows(zone, hexi)).toBe(false);

  const bureau = ticketScope({ role: 'staff', departmentId: 'city-power' }, org);
  expect(bureau).toEqual({ kind: 'department', departmentId: 'city-power', watchedIds: ['qs-power', 'hx-power', 'kf-power'] });
  expect(scopeAllows(bureau, hexi, 'read')).toBe(true);
  expect(scopeAllows(bureau, hexi, 'act')).toBe(false);
  // "1+9" reaches down the whole chain: the city bureau follows the town too, through the county.
  expect(org.counterpartsBelow('city-yingshang').sort()).toEqual(['hx-yingshang', 'kf-yingshang', 'qs-yingshang', 'qz-zhengfu']);
  expect(org.childContaining('beishan', 'qingshan-town')?.id).toBe('qingshan');
  expect(org.ticketPrefix('GZ', 'hexi')).toBe('GZHX');
});

it('reports every bad region reference at once', async () => {
  const raw = parseYaml(await readFile(CITY, 'utf8')) as Record<string, any>;
  raw.regions.push({ id: 'loop-a', name: '环甲', parent: 'loop-b' }, { id: 'loop-b', name: '环乙', parent: 'loop-a' }, { id: 'dup', name: '重复前缀', parent: 'beishan', prefix: 'QS' });
  raw.departments[6].region = 'nowhere';
  raw.departments[7].counterpart = 'hx-zwfw';
  raw.staff[0].region = 'atlantis';
  raw.groups[1].region = '青山';
  let problems: string[] = [];
  try {
    parseConfig(JSON.stringify(raw), 'city.json');
  } catch (e) {
    problems = (e as ConfigError).problems;
  }
  expect(problems).toEqual(
    expect.arrayContaining([
      expect.stringMatching(/^regions\.\d+\.parent: 地区上下级成环/),
      expect.stringMatching(/^regions\.\d+\.prefix: 前缀 QS 已被 qingshan 使用/),
      'departments.6.region: 未定义的地区 "nowhere"（unknown region）',
      expect.stringMatching(/^departments\.7\.counterpart: 上级对口单位 "hx-zwfw" 不在本地区或上级地区/),
      'staff.0.region: 未定义的地区 "atlantis"（unknown region）',
      'groups.1.region: 未定义的地区 "青山"（unknown region）',
    ]),
  );
  // A single-county file may not name regions it does not declare.
  const county = parseYaml(await readFile(EXAMPLE, 'utf8')) as Record<string, any>;
  county.departments[2].region = 'qingshan';
  expect(() => parseConfig(JSON.stringify(county), 'county.json')).toThrow(/未配置 regions，不能指定地区 "qingshan"/);
});

it('tells a ticket’s own 营商办 (the nearest up the tree) and the supervisors of its region and above, never another county’s', async () => {
  const { createDirectoryCache } = await import('../../src/pipeline/directory-cache');
  const dir = createDirectoryCache(parseConfig(await readFile(CITY, 'utf8'), CITY));
  const who = (role: 'dispatcher' | 'supervisor', region_id: string | null, department_id: string | null = null) => dir.ticketRoleAccounts(role, { region_id, department_id }, 'local');
  expect(who('dispatcher', 'hexi')).toEqual(['zhao-hx']);
  // The town has no 营商办 of its own: the county's takes its manual queue.
  expect(who('dispatcher', 'qingshan-town')).toEqual(['wang-qs']);
  expect(who('dispatcher', null, 'kf-power')).toEqual(['feng-kf']);
  expect(who('dispatcher', 'beishan')).toEqual(['sun-city']);
  expect(who('supervisor', 'qingshan')).toEqual(['jian-qs', 'jian-city']);
  expect(who('supervisor', 'hexi')).toEqual(['jian-city']);
  const county = createDirectoryCache(parseConfig(await readFile(EXAMPLE, 'utf8'), EXAMPLE));
  expect(county.ticketRoleAccounts('dispatcher', { region_id: null, department_id: 'power' }, 'local')).toEqual(county.roleAccounts('dispatcher', 'local'));
});
