with

source as (
    select * from {{ raw_table('crm', 'lead') }}
),

parsed as (
    select
        {{ raw_metadata('source', 'id', raw=('crm', 'lead')) }},
        {{ clean_text('id') }} as lead_id,
        lower({{ clean_text('email') }}) as email,
        {{ clean_text('company') }} as company,
        lower({{ clean_text('lead_source') }}) as lead_source,
        {{ to_type('created_at', 'timestamp') }} as created_at,
        {{ to_type('mql_at', 'timestamp') }} as mql_at,
        {{ to_type('sql_at', 'timestamp') }} as sql_at,
        coalesce({{ parse_bool('is_converted') }}, false) as is_converted,
        {{ to_type('converted_at', 'timestamp') }} as converted_at,
        {{ clean_text('converted_account_id') }} as converted_account_id,
        {{ clean_text('converted_opportunity_id') }} as converted_opportunity_id,
        {{ clean_text('owner_user_id') }} as owner_user_id,
        case
            when {{ clean_text('created_at') }} is null then 'missing_created_at'
            when {{ is_unparseable('created_at', 'timestamp') }} then 'unparseable_created_at'
            when {{ is_unparseable('mql_at', 'timestamp') }} then 'unparseable_mql_at'
            when {{ is_unparseable('sql_at', 'timestamp') }} then 'unparseable_sql_at'
            when {{ is_unparseable('converted_at', 'timestamp') }} then 'unparseable_converted_at'
            when {{ clean_text('is_converted') }} is not null and {{ parse_bool('is_converted') }} is null
                then 'unparseable_is_converted'
        end as _row_reason
    from source
),

{{ dispose('parsed') }}
