with

source as (
    select * from {{ raw_table('billing', 'product') }}
),

parsed as (
    select
        {{ raw_metadata('source', 'id', has_deleted_flag=false, raw=('billing', 'product')) }},
        {{ clean_text('id') }} as product_id,
        {{ clean_text('name') }} as product_name,
        cast(null as {{ dbt.type_string() }}) as _row_reason
    from source
),

{{ dispose('parsed') }}
