// Every screen of the app, by route. A new screen is a module exporting
// {title(params), render(main, ctx)} (optionally auth: false, keepTabs) plus one line here.
import agenda from "./agenda.js";
import announcements from "./announcements.js";
import buy from "./buy.js";
import events from "./events.js";
import login from "./login.js";
import myAgenda from "./my-agenda.js";
import onboarding from "./onboarding.js";
import profile from "./profile.js";
import reset from "./reset.js";
import session from "./session.js";
import signup from "./signup.js";
import speaker from "./speaker.js";
import ticket from "./ticket.js";
import tickets from "./tickets.js";
import verify from "./verify.js";

export const routes = [
  { path: "/", screen: events },
  { path: "/login", screen: login, auth: false },
  { path: "/signup", screen: signup, auth: false },
  { path: "/reset", screen: reset, auth: false },
  { path: "/verify", screen: verify, auth: false },
  { path: "/welcome", screen: onboarding },
  { path: "/profile", screen: profile, keepTabs: true },
  { path: "/e/:event/agenda", screen: agenda },
  { path: "/e/:event/sessions/:session", screen: session },
  { path: "/e/:event/speakers/:speaker", screen: speaker },
  { path: "/e/:event/mine", screen: myAgenda },
  { path: "/e/:event/news", screen: announcements },
  { path: "/e/:event/tickets", screen: tickets },
  { path: "/e/:event/tickets/:ticket", screen: ticket },
  { path: "/e/:event/buy", screen: buy },
];
