-- CDS Hooks JWT ids already used (replay protection). Rows past expires_at may be purged; a replay of an expired token
-- is refused by its exp claim anyway.
create table cds_jwt_ids (
    issuer     text        not null,
    jti        text        not null,
    expires_at timestamptz not null,
    primary key (issuer, jti)
);
