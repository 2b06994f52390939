-- The analytics schema for analysts with SQL.
-- Applied by migration 0007 (its views: definitions/analytics_*.sql). Nothing in it is granted to PUBLIC:
-- `flask analysts create-role` grants USAGE and SELECT to each analyst role.
CREATE SCHEMA IF NOT EXISTS analytics;

COMMENT ON SCHEMA analytics IS
    'Documented, stable views for analysts: samples clipped to installation windows '
    'and hourly and daily aggregates per installation and per room. Every view shows '
    'a role only the organizations granted to it (flask analysts create-role); the '
    'owner of this schema (the application role) sees everything. Local days and '
    'hours are in the time zone of the setting airq.analysis_timezone when a session '
    'sets it (SET airq.analysis_timezone = ''UTC''), else in the server''s '
    'ANALYSIS_TIMEZONE at the time the role was created, else Europe/Berlin.';
