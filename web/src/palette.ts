// The console's palette (QuickSight-like blues first), shared by every chart.
// Its own module so a page can shape chart options before ECharts has loaded.
export const kPalette = ['#1f77d0', '#ff9830', '#2ca02c', '#d62728', '#9467bd', '#17becf', '#e377c2', '#8c564b', '#bcbd22', '#7f7f7f'];
