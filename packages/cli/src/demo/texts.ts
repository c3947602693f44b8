/** Confidential texts for the demo: they are sealed by the store, and no analyst output ever shows them. */
export const expectations = [
  "Lead the change in the daily routine calmly and with the staff on board.",
  "Find my own way of leading pedagogy in a merged unit.",
  "Share the school's strengths with the municipality's network.",
  "Learn to give feedback that helps and does not hurt."
]
export const strengths = [
  "A committed staff",
  "Long experience with small children",
  "Calm under pressure",
  "Good at listening"
]
export const weaknesses = [
  "Too little time for pedagogical leadership",
  "Avoids difficult conversations",
  "Plans too much alone"
]
export const opportunities = ["A new curriculum", "The network of other heads", "A supportive supervisor"]
export const threats = ["Staff turnover", "Budget cuts", "Sick leaves piling up"]
export const goals = [
  "A fluid daily routine",
  "Leading change in the unit",
  "Feedback culture in the team",
  "Time management",
  "Well-being at work",
  "Working with families"
]
export const topics = [
  "Interactions and atmosphere",
  "The well-being of everyone",
  "Documentation of learning",
  "Transitions between activities",
  "Conflicts in the team"
]
export const summaries = [
  "We went through the week's difficult moments and agreed on two small experiments.",
  "The mentee described a conflict with a parent; we role-played the next conversation.",
  "We reviewed the task and planned how to involve the team.",
  "Discussion about delegating and trusting the staff; progress is visible.",
  "We looked at the observation notes together and chose one routine to change."
]
export const amendments = [
  "I would add that the experiment with the morning circle already worked.",
  "For me the most important thing was to hear that others struggle too.",
  "I disagree a little: the problem is the schedule, not the team."
]
export const tasks = [
  "Observe one transition and write down what the children do while waiting.",
  "Ask two colleagues for feedback on the new routine.",
  "Write a short plan for the next team meeting.",
  "Try the five-minute check-in with the team every morning this week."
]
export const reflections = ["It went better than expected.", "Hard, but useful.", "The team liked it.", ""]
export const observations = [
  "The morning circle ran long; the youngest lost focus after ten minutes.",
  "The mentee handled a parent's complaint at the door with warmth and clarity.",
  "Transitions before lunch are hectic; staff roles are unclear."
]
export const evaluations = [
  "The goals were mostly reached; the feedback culture needs another round.",
  "Clear progress in leading meetings; time management remains a theme."
]
export const reports = [
  "The mentoring period was completed as agreed; the themes and results are summarised below.",
  "Mentoring completed: the agreed meetings were held and the shared items are cited."
]
export const followUps = [
  "The new routines are still in place.",
  "The team has continued the check-ins on its own."
]
