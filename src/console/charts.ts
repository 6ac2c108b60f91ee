import { BarChart, LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TitleComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
import type { DepartmentLoad, TrendPoint } from '../reports/dashboard';
import type { RankingRow } from '../domain/templates';

echarts.use([BarChart, LineChart, GridComponent, LegendComponent, TitleComponent, SVGRenderer]);

const FONT = '"Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif';

/**
 * Charts are drawn on the server into SVG (ECharts SSR): the page needs no script, prints
 * cleanly, and the same code runs on Workers. Every bar carries its value as a label, so the
 * numbers are readable without hovering.
 */
function render(option: echarts.EChartsCoreOption, width: number, height: number): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
  chart.setOption({ animation: false, textStyle: { fontFamily: FONT }, ...option });
  const svg = chart.renderToSVGString();
  chart.dispose();
  return svg;
}

const height = (rows: number) => Math.max(160, 60 + rows * 34);

export function departmentLoadChart(rows: DepartmentLoad[]): string {
  const names = rows.map((r) => r.name).reverse();
  return render(
    {
      legend: { data: ['在办', '超期'], top: 0 },
      grid: { left: 8, right: 48, top: 32, bottom: 8, containLabel: true },
      xAxis: { type: 'value', minInterval: 1 },
      yAxis: { type: 'category', data: names },
      series: [
        { name: '在办', type: 'bar', data: rows.map((r) => r.open).reverse(), label: { show: true, position: 'right' }, itemStyle: { color: '#3370ff' } },
        { name: '超期', type: 'bar', data: rows.map((r) => r.overdue).reverse(), label: { show: true, position: 'right' }, itemStyle: { color: '#f54a45' } },
      ],
    },
    720,
    height(rows.length * 1.6),
  );
}

export function rankingChart(rows: RankingRow[]): string {
  const names = rows.map((r) => r.name).reverse();
  return render(
    {
      grid: { left: 8, right: 48, top: 16, bottom: 8, containLabel: true },
      xAxis: { type: 'value', max: 100 },
      yAxis: { type: 'category', data: names },
      series: [{ name: '综合得分', type: 'bar', data: rows.map((r) => Math.round(r.score * 1000) / 10).reverse(), label: { show: true, position: 'right' }, itemStyle: { color: '#3370ff' } }],
    },
    720,
    height(rows.length),
  );
}

/** Regions compared: the composite score, with the ladder documents each received beside it. */
export function regionRankingChart(rows: RankingRow[]): string {
  const names = rows.map((r) => r.name).reverse();
  return render(
    {
      legend: { data: ['综合得分', '三单一函'], top: 0 },
      grid: { left: 8, right: 48, top: 32, bottom: 8, containLabel: true },
      xAxis: { type: 'value', minInterval: 1 },
      yAxis: { type: 'category', data: names },
      series: [
        { name: '综合得分', type: 'bar', data: rows.map((r) => Math.round(r.score * 1000) / 10).reverse(), label: { show: true, position: 'right' }, itemStyle: { color: '#3370ff' } },
        { name: '三单一函', type: 'bar', data: rows.map((r) => r.escalations).reverse(), label: { show: true, position: 'right' }, itemStyle: { color: '#f54a45' } },
      ],
    },
    720,
    height(rows.length * 1.6),
  );
}

/**
 * A phone-sized ranking chart for the public board: drawn 360 px wide so that on a phone it is
 * shown at its own size (labels stay legible), and on a desktop a few sit side by side.
 */
export function boardScoreChart(rows: Array<{ name: string; value: number }>, label: string): string {
  const names = rows.map((r) => r.name).reverse();
  return render(
    {
      grid: { left: 4, right: 40, top: 8, bottom: 4, containLabel: true },
      xAxis: { type: 'value', axisLabel: { fontSize: 11 } },
      yAxis: { type: 'category', data: names, axisLabel: { fontSize: 12, width: 120, overflow: 'truncate' } },
      series: [{ name: label, type: 'bar', data: rows.map((r) => r.value).reverse(), label: { show: true, position: 'right', fontSize: 12 }, itemStyle: { color: '#3370ff' } }],
    },
    360,
    Math.max(120, 24 + rows.length * 30),
  );
}

export function trendChart(points: TrendPoint[]): string {
  return render(
    {
      legend: { data: ['受理', '办结'], top: 0 },
      grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
      xAxis: { type: 'category', data: points.map((p) => p.date.slice(5)) },
      yAxis: { type: 'value', minInterval: 1 },
      series: [
        { name: '受理', type: 'line', data: points.map((p) => p.received), itemStyle: { color: '#3370ff' } },
        { name: '办结', type: 'line', data: points.map((p) => p.resolved), itemStyle: { color: '#34c724' } },
      ],
    },
    720,
    280,
  );
}
