-- helpdesk knowledge base: the CST's catalogue of articles (not a tenant table: one catalogue for the whole
-- network, written by the desk), their revisions and the staff's votes; the links from tickets to articles are
-- tenant rows (ticket_kb_link, with RLS like the tickets).
--
-- Visibility: 'cst' (the desk only), 'all' (the staff of every ente), 'enti' (the enti listed in
-- audience_ente_ids). The audience is an array on the article rather than a table of (ente_id, article_id): such
-- a table would be tenant data needing RLS, and the catalogue query "which articles may ente X read" would then
-- have to cross tenants. Enti are never deleted (they get valid_to), so the array needs no foreign key.

-- Italian full-text search that ignores accents ("citta" finds "città", "perche" finds "perché"): the italian
-- configuration with the unaccent dictionary (extension created by the kernel migration) before the stemmer.
create text search configuration kb_italian (copy = italian);
alter text search configuration kb_italian
  alter mapping for hword, hword_part, word with unaccent, italian_stem;

-- Trigram similarity, the fallback for misspelt searches ("stampnte") when the full-text search finds nothing.
create extension if not exists pg_trgm;

-- array_to_string is only stable (it calls the element type's output function); for text[] it is immutable in
-- fact, which the generated search column needs.
create function kb_keywords_text(text[]) returns text language sql immutable parallel safe strict as $$
  select array_to_string($1, ' ')
$$;

create table kb_article (
  id uuid primary key default gen_random_uuid(),
  title text not null check (length(trim(title)) between 3 and 200),
  -- Plain text with a small Markdown subset (raw HTML is never rendered).
  body text not null check (length(trim(body)) > 0 and length(body) <= 50000),
  category_code text references ticket_category (code),
  keywords text[] not null default '{}' check (cardinality(keywords) <= 20),
  state text not null default 'draft' check (state in ('draft', 'published', 'archived')),
  visibility text not null check (visibility in ('cst', 'all', 'enti')),
  audience_ente_ids uuid[] not null default '{}',
  revision int not null default 1 check (revision > 0),
  -- How many tickets link the article now (kept by link/unlink in the ticket's transaction: counting the links
  -- would have to read every ente's rows).
  linked_count int not null default 0 check (linked_count >= 0),
  created_by uuid references staff_user (id),
  created_at timestamptz not null default now(),
  updated_by uuid references staff_user (id),
  updated_at timestamptz not null default now(),
  published_at timestamptz,
  search tsvector generated always as (
    setweight(to_tsvector('kb_italian', title), 'A')
    || setweight(to_tsvector('kb_italian', coalesce(kb_keywords_text(keywords), '')), 'B')
    || setweight(to_tsvector('kb_italian', body), 'C')
  ) stored,
  check ((visibility = 'enti') = (cardinality(audience_ente_ids) > 0)),
  check (state = 'draft' or published_at is not null)
);
create index kb_article_search on kb_article using gin (search);
create index kb_article_audience on kb_article using gin (audience_ente_ids);
create index kb_article_listing on kb_article (state, updated_at desc);

-- Every saved version of an article, the current one included (revision = kb_article.revision): the history
-- the editor shows, never edited nor deleted.
create table kb_article_revision (
  article_id uuid not null references kb_article (id),
  revision int not null check (revision > 0),
  title text not null,
  body text not null,
  category_code text references ticket_category (code),
  keywords text[] not null,
  state text not null,
  visibility text not null,
  audience_ente_ids uuid[] not null,
  saved_by uuid references staff_user (id),
  saved_by_label text not null,
  saved_at timestamptz not null,
  primary key (article_id, revision)
);

create function kb_article_revision_guard() returns trigger language plpgsql as $$
begin
  raise exception 'la cronologia di un articolo non può essere modificata' using errcode = 'check_violation';
end $$;
create trigger kb_article_revision_guard before update or delete on kb_article_revision
  for each row execute function kb_article_revision_guard();

-- "Utile / non utile" from the staff who read an article: one vote per user and article (a new vote replaces it).
create table kb_article_vote (
  article_id uuid not null references kb_article (id),
  user_id uuid not null references staff_user (id),
  useful boolean not null,
  voted_at timestamptz not null,
  primary key (article_id, user_id)
);

-- Articles linked from a ticket by the desk (tenant rows: they tell what an ente asked about).
create table ticket_kb_link (
  ente_id uuid not null,
  ticket_id uuid not null,
  article_id uuid not null references kb_article (id),
  linked_by uuid references staff_user (id),
  linked_by_label text not null,
  linked_at timestamptz not null,
  primary key (ente_id, ticket_id, article_id),
  foreign key (ente_id, ticket_id) references ticket (ente_id, id)
);
create index ticket_kb_link_article on ticket_kb_link (article_id);

alter table ticket_kb_link enable row level security;
create policy ticket_kb_link_tenant on ticket_kb_link to cir_app
  using (ente_id = app_current_ente()) with check (ente_id = app_current_ente());
create policy ticket_kb_link_cross_read on ticket_kb_link for select to cir_cross_reader using (true);
