/** Seeded test and demo data: a made-up B2B SaaS company in the canonical model. */
export { generateCompany, writeCanonicalCsv, type CompanyOptions } from './company.js';
export { sampleTeams, writeTeamsCsv } from './teams.js';
