import { describe, expect, it } from 'vitest';
import { createOrg } from '../../src/domain/regions';
import { topicAreas } from '../../src/jobs/topics';

const ORG = createOrg({
  name: '北山市',
  regions: [
    { id: 'beishan', name: '北山市' },
    { id: 'qingshan', name: '青山县', parent: 'beishan' },
    { id: 'qingshan-town', name: '青山镇', parent: 'qingshan' },
    { id: 'hexi', name: '河西县', parent: 'beishan' },
  ],
  departments: [
    { id: 'qs-power', region: 'qingshan' },
    { id: 'city-power', region: 'beishan' },
  ],
});

describe('topic areas from the directory', () => {
  it('puts a ticket in the county its group (or, one-to-one, its department) belongs to; the city level is no area', () => {
    const areas = topicAreas(ORG);
    expect(areas.of('qingshan-town', null)).toBe('qingshan');
    expect(areas.of('青山镇', null)).toBe('qingshan'); // a single group's region given by name
    expect(areas.of('hexi', 'qs-power')).toBe('hexi');
    expect(areas.of(null, 'qs-power')).toBe('qingshan');
    expect(areas.of('beishan', null)).toBeNull();
    expect(areas.of(null, 'city-power')).toBeNull();
    // Every region's name names its county: a report saying 青山镇 counts in 青山县.
    expect(areas.names).toEqual(expect.arrayContaining([{ id: 'qingshan', name: '青山镇' }, { id: 'qingshan', name: '青山县' }]));
    expect(areas.names.some((a) => a.name === '北山市')).toBe(false);
  });

  it('knows a town group as a place of its own inside its county, so a burst in the town is read there', () => {
    const areas = topicAreas(ORG);
    expect(areas.placeOf('qingshan-town')).toBe('qingshan-town');
    expect(areas.placeOf('青山镇')).toBe('qingshan-town');
    expect(areas.placeOf('qingshan')).toBeNull();
    expect(areas.placeOf('beishan')).toBeNull();
    expect(areas.placeOf(null)).toBeNull();
    expect(areas.places).toEqual([{ id: 'qingshan-town', name: '青山镇' }]);
  });

  it('has no areas in a single-county deployment', () => {
    const single = topicAreas(createOrg({ name: '青山县', regions: [], departments: [] }));
    expect(single.names).toEqual([]);
    expect(single.of('青山县', null)).toBeNull();
  });
});
