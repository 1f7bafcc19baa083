{%- set segments = account_segments() -%}
with

source as (
    select * from {{ raw_table('crm', 'account') }}
),

parsed as (
    select
        {{ raw_metadata('source', 'id', raw=('crm', 'account')) }},
        {{ clean_text('id') }} as account_id,
        {{ clean_text('name') }} as account_name,
        lower({{ clean_text('website_domain') }}) as website_domain,
        {{ clean_text('industry') }} as industry,
        {{ enum_value('segment', segments) }} as segment,
        upper({{ clean_text('billing_country') }}) as billing_country,
        {{ clean_text('owner_user_id') }} as owner_user_id,
        {{ to_type('created_at', 'timestamp') }} as created_at,
        case
            when {{ is_invalid_enum('segment', segments) }} then 'invalid_segment'
            when {{ is_unparseable('created_at', 'timestamp') }} then 'unparseable_created_at'
        end as _row_reason
    from source
),

{{ dispose('parsed') }}
