import type { HubConfig } from '../config.js';

export interface Route {
  name: string;
  models: string[];
}

/** Picks the route of a question: the first whose patterns match and whose word limit holds. */
export class ModelRouter {
  private readonly routes: { name: string; patterns: RegExp[]; maxWords: number; models: string[] }[];

  constructor(routes: HubConfig['routing']) {
    this.routes = routes.map((route) => ({
      name: route.name,
      patterns: (route.patterns ?? []).map((pattern) => new RegExp(pattern, 'i')),
      maxWords: route.maxWords ?? Number.POSITIVE_INFINITY,
      models: route.models,
    }));
  }

  route(question: string): Route {
    const text = question.trim();
    const words = text.split(/\s+/).filter(Boolean).length;
    const chosen =
      this.routes.find((route) => words <= route.maxWords && (route.patterns.length === 0 || route.patterns.some((pattern) => pattern.test(text)))) ??
      this.routes[this.routes.length - 1]!;
    return { name: chosen.name, models: chosen.models };
  }
}
