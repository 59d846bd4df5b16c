// Draws the score-over-time chart from the JSON the page embeds. The same
// figures are in the table beside it, for anyone who cannot see the chart.
(() => {
  const data = document.getElementById("score-data");
  const canvas = document.getElementById("score-chart");
  if (!data || !canvas || typeof Chart === "undefined") return;
  const points = JSON.parse(data.textContent);
  new Chart(canvas, {
    type: "line",
    data: {
      // Two lines under each point: its case and when it was finished (distinct per point).
      labels: points.map((p) => [p.short, p.when]),
      datasets: [{
        label: "Score",
        data: points.map((p) => p.score),
        borderColor: "#0b5f73",
        backgroundColor: "#0b5f73",
        tension: 0, // straight segments: a curve would overshoot below 0 or above 100
      }],
    },
    options: {
      animation: false,
      scales: {
        x: { title: { display: true, text: "Finished attempt (case, date and time)" } },
        y: { min: 0, max: 100, title: { display: true, text: "Score" } },
      },
      plugins: {
        legend: { display: false },
        tooltip: { callbacks: { title: (items) => points[items[0].dataIndex].case + " · " + points[items[0].dataIndex].when } },
      },
    },
  });
})();
