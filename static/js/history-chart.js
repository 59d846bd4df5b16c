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
      labels: points.map((p) => p.date),
      datasets: [{
        label: "Score",
        data: points.map((p) => p.score),
        borderColor: "#0b5f73",
        backgroundColor: "#0b5f73",
        tension: 0.2,
      }],
    },
    options: {
      animation: false,
      scales: { y: { min: 0, max: 100, title: { display: true, text: "Score" } } },
      plugins: {
        legend: { display: false },
        tooltip: { callbacks: { title: (items) => points[items[0].dataIndex].case + " · " + items[0].label } },
      },
    },
  });
})();
