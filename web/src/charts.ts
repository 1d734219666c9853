// Apache ECharts, only the parts the console draws (bar, heat map, line and
// area, pie, gauge), so the bundle stays small. Charts render to canvas; tests
// read the numbers from data-testid elements the pages write beside them.
import * as echarts from 'echarts/core';
import { BarChart, HeatmapChart, LineChart, PieChart, GaugeChart } from 'echarts/charts';
import {
  GridComponent,
  TooltipComponent,
  LegendComponent,
  VisualMapComponent,
  DataZoomComponent,
  TitleComponent,
} from 'echarts/components';
import { CanvasRenderer, SVGRenderer } from 'echarts/renderers';

echarts.use([
  BarChart,
  HeatmapChart,
  LineChart,
  PieChart,
  GaugeChart,
  GridComponent,
  TooltipComponent,
  LegendComponent,
  VisualMapComponent,
  DataZoomComponent,
  TitleComponent,
  CanvasRenderer,
  SVGRenderer,
]);

export type EChartsOption = echarts.EChartsCoreOption;
export type Chart = echarts.ECharts;

export function isDark(): boolean {
  return document.documentElement.dataset['theme'] === 'dark';
}

// A chart in `host` that follows the host's size; dispose() it in cleanup.
export function makeChart(host: HTMLElement): Chart {
  const chart = echarts.init(host, isDark() ? 'dark' : undefined, { renderer: 'canvas' });
  const observer = new ResizeObserver(() => chart.resize());
  observer.observe(host);
  const dispose = chart.dispose.bind(chart);
  chart.dispose = () => {
    observer.disconnect();
    dispose();
  };
  return chart;
}

export { kPalette } from './palette';
