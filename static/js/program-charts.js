// Draws the program dashboard's charts from the JSON the page embeds. Every
// chart has a table with the same figures beside it, for anyone who cannot
// see the chart.
(() => {
  const data = document.getElementById("program-charts");
  if (!data || typeof Chart === "undefined") return;
  const charts = JSON.parse(data.textContent);
  const colour = "#0b5f73";
  const draw = (id, config) => {
    const canvas = document.getElementById(id);
    if (canvas) new Chart(canvas, { ...config, options: { animation: false, ...config.options } });
  };
  if (charts.completion && charts.completion.length) {
    draw("completion-chart", {
      type: "bar",
      data: {
        labels: charts.completion.map((a) => a.title),
        datasets: [{ label: "Done (%)", data: charts.completion.map((a) => a.done), backgroundColor: colour }],
      },
      options: {
        indexAxis: "y",
        scales: { x: { min: 0, max: 100, title: { display: true, text: "Residents who finished every case (%)" } } },
        plugins: { legend: { display: false } },
      },
    });
  }
  if (charts.distribution) {
    draw("distribution-chart", {
      type: "bar",
      data: {
        labels: charts.distribution.map((b) => b.label),
        datasets: [{ label: "Attempts", data: charts.distribution.map((b) => b.count), backgroundColor: colour }],
      },
      options: {
        plugins: { legend: { display: false } },
        scales: {
          x: { title: { display: true, text: "Score" } },
          y: { beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: "Attempts" } },
        },
      },
    });
  }
  if (charts.trend && charts.trend.length > 1) {
    draw("trend-chart", {
      type: "line",
      data: {
        labels: charts.trend.map((t) => t.week),
        datasets: [
          { label: "Mean score", data: charts.trend.map((t) => t.mean), borderColor: colour, backgroundColor: colour, tension: 0 },
        ],
      },
      options: {
        scales: {
          x: { title: { display: true, text: "Week of" } },
          y: { min: 0, max: 100, title: { display: true, text: "Mean score" } },
        },
      },
    });
  }
})();
