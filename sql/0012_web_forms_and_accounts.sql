-- One-time tokens of the web application's rendered forms. A form's post is carried out only by the request that
-- claims its token, so a refresh after a post, a back-and-resubmit or a double click stores nothing more. Tokens are
-- UUIDv7 (their time is in them): the application refuses tokens older than a day, so claims older than that can go.
-- Not clinical data: nothing here is a record of care.
create table form_submissions (
    token      uuid        primary key,
    actor      uuid        not null,
    claimed_at timestamptz not null default now()
);
create index form_submissions_claimed_at on form_submissions (claimed_at);

-- The first characters of an API key ("pt_" and 8 more): enough to tell keys apart on the keys page, never the secret
-- (32 random bytes follow). Keys made before this migration have none.
alter table api_keys add column key_prefix text;

-- A password an admin set (a reset) must be changed by its owner at the next sign-in.
alter table staff_accounts add column must_change_password boolean not null default false;
