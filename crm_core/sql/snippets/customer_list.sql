select
    features.customer_id,
    features.customer_name,
    features.email,
    features.phone,
    features.has_email_consent,
    features.has_sms_consent,
    features.city,
    features.region,
    features.acquisition_channel,
    segment_base.membership_tier,
    segment_base.value_tier,
    segment_base.rfm_segment,
    segment_base.lifecycle_stage,
    segment_base.days_since_last_order,
    segment_base.frequency,
    segment_base.monetary,
    features.signed_up_on
from segment_base
inner join filtered_customers on filtered_customers.customer_id = segment_base.customer_id
inner join customer_features as features on features.customer_id = segment_base.customer_id
